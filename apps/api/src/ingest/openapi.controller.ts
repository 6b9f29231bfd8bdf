/** Serves the native API's OpenAPI document to any signed-in caller (it describes routes they can call). */
import { Controller, Get } from '@nestjs/common';
import { Requires, SIGNED_IN } from '../auth/access.decorators';
import { NATIVE_OPENAPI } from './openapi';

@Controller('api/v1')
export class OpenApiController {
  @Get('openapi.json')
  @Requires(SIGNED_IN)
  document() {
    return NATIVE_OPENAPI;
  }
}
