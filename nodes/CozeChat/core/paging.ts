/** Paging of Coze list endpoints. */

/**
 * Whether another page follows, by what Coze says (`has_more`, or `total` against the items seen so
 * far) — never by a page being shorter than asked for, since Coze may cap the page size. Without
 * either, only an empty page ends the list.
 */
export function hasMorePages(page: { received: number; seen: number; hasMore?: unknown; total?: unknown }): boolean {
	if (page.received === 0) return false;
	if (typeof page.hasMore === 'boolean') return page.hasMore;
	const total = Number(page.total);
	if (page.total !== undefined && page.total !== null && Number.isFinite(total)) return page.seen < total;
	return true;
}
