#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_check(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz invariant broken: %s\n", what);
	abort();
}

void fuzz_check_same(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, const char *what)
{
	fuzz_check(alen == blen && memcmp(a, b, alen) == 0, what);
}
