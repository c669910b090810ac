import { parseLine } from './terminal';

/**
 * What a line shows, without any escape codes (`format=text` downloads, search). Works on
 * stored (canonical) text and on raw text alike; linear time.
 */
export function plainText(text: string): string {
  if (!text.includes('\x1b') && !/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(text)) return text;
  return parseLine(text).chars.join('');
}
