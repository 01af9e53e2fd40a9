/* SPDX-License-Identifier: MIT */
/*
 * Forced into the core sources that test_alloc_failures builds, so that
 * their allocations go through wrappers the test can make fail.
 */
#ifndef GX_TEST_ALLOC_FAIL_H
#define GX_TEST_ALLOC_FAIL_H

#include <stdlib.h>
#include <string.h>

void *gx_test_malloc(size_t size);
void *gx_test_calloc(size_t n, size_t size);
void *gx_test_realloc(void *p, size_t size);
char *gx_test_strdup(const char *s);

#undef malloc
#undef calloc
#undef realloc
#undef strdup
#define malloc(size) gx_test_malloc(size)
#define calloc(n, size) gx_test_calloc(n, size)
#define realloc(p, size) gx_test_realloc(p, size)
#define strdup(s) gx_test_strdup(s)

#endif
