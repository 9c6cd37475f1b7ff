/* Hoare's selection (select.h): O(n) on average, in place. */
#include "model/select.h"

static void swap(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;

	*a = *b;
	*b = t;
}

/* the median of the first, middle and last: sorted or equal windows
 * (a steady link's) do not fall to the quadratic case */
static uint32_t pivot(uint32_t *v, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2;

	if (v[mid] < v[lo])
		swap(&v[mid], &v[lo]);
	if (v[hi] < v[lo])
		swap(&v[hi], &v[lo]);
	if (v[hi] < v[mid])
		swap(&v[hi], &v[mid]);
	return v[mid];
}

uint32_t u32_select(uint32_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint32_t p = pivot(v, lo, hi);
		size_t i = lo, j = hi;

		/* Hoare: equal keys stop both scans, so runs of one value
		 * split in the middle */
		while (i <= j) {
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i <= j) {
				swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		/* now v[lo..j] <= p <= v[i..hi], and j < i */
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;		/* j < k < i: v[k] == p */
	}
	return v[k];
}
