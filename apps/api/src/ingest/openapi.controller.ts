/** Serves the native API's OpenAPI document to any signed-in caller (it describes routes they can call). */
import { SIGNED_IN } from '@caliper/server-kit';
import { Controller, Get } from '@nestjs/common';
import { NATIVE_OPENAPI } from './openapi';
import { Requires } from '../auth/locators';

@Controller('api/v1')
export class OpenApiController {
  @Get('openapi.json')
  @Requires(SIGNED_IN)
  document() {
    return NATIVE_OPENAPI;
  }
}
