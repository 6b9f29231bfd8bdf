/** Project short names (slugs): what the API accepts, and a suggestion derived from the name. */

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** "Brain tumour segmentation" → "brain-tumour-segmentation"; accents dropped, 63 characters at most. */
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
