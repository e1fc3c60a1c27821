/**
 * `Authorization: Bearer <key>` on every /payments route. The caller's merchant goes to
 * `res.locals.merchant`; anything else is a 401 that says what is wrong with the header's shape
 * but never which part of a well-formed key failed, and logs nothing about the key.
 */
import type { RequestHandler, Response } from 'express';
import type { Merchant } from '../merchants/merchant';
import type { MerchantDirectory } from '../merchants/directory';
import { Unauthorized } from './errors';

/** RFC 6750's b64token: the characters a bearer token may have. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

export function authenticate(merchants: MerchantDirectory): RequestHandler {
  return (req, res, next) => {
    const header = req.get('Authorization');
    if (header === undefined) return next(new Unauthorized('send Authorization: Bearer <your API key>'));
    const match = BEARER.exec(header);
    if (!match) return next(new Unauthorized('the Authorization header must be: Bearer <your API key>'));
    const merchant = merchants.byApiKey(match[1]!);
    if (!merchant) return next(new Unauthorized('the API key is not valid'));
    res.locals.merchant = merchant;
    next();
  };
}

/** The merchant authenticate() found; only on routes behind it. */
export function merchantOf(res: Response): Merchant {
  const merchant = res.locals.merchant as Merchant | undefined;
  if (!merchant) throw new Error('merchantOf() on a route without authenticate()');
  return merchant;
}
