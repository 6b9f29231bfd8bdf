/** REST sign-in for the web app: sets an httpOnly, SameSite=Strict session cookie. */
import { AuthService, CONFIG, Public, SESSION_COOKIE, SIGNED_IN } from '@caliper/server-kit';
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IsString, Length } from 'class-validator';
import type { Config } from '@caliper/config';
import { Requires } from './locators';

export class LoginBody {
  @IsString() @Length(1, 63) username: string;
  @IsString() @Length(1, 256) password: string;
}

const userView = (p: Pick<Principal, 'user'>) => ({ user: p.user });

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: Pick<Config, 'COOKIE_SECURE'>,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginBody, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { user, cookieValue, expiresAt } = await this.auth.login(body.username, body.password, req.ip ?? 'unknown');
    res.cookie(SESSION_COOKIE, cookieValue, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/',
      expires: expiresAt,
    });
    return { user };
  }

  @Requires(SIGNED_IN)
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: RequestWithPrincipal, @Res({ passthrough: true }) res: Response) {
    await this.auth.logout(req.principal!);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Requires(SIGNED_IN)
  @Get('me')
  me(@Req() req: RequestWithPrincipal) {
    return userView(req.principal!);
  }
}
