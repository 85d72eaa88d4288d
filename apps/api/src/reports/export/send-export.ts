import type { Response } from 'express';
import { EXPORT_CSP } from './report-export';

/** Sends an export as a download; the same CSP as its meta, should a browser open it from the API's origin. */
export function sendExport(res: Response, file: { html: string; fileName: string }): string {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
  res.setHeader('Content-Security-Policy', EXPORT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  return file.html;
}
