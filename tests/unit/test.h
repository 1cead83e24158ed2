#ifndef BLAMBDA_TEST_H
#define BLAMBDA_TEST_H

/*
 * A minimal unit-test harness: CHECK* record a failure with file and line and
 * go on; TEST_MAIN runs the listed tests and prints "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "core/array.h"

static int test_passed, test_failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (cond) {                                                           \
			test_passed++;                                                \
		} else {                                                              \
			test_failed++;                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                              \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		if ((g_ == NULL && w_ == NULL) || (g_ && w_ && !strcmp(g_, w_))) {        \
			test_passed++;                                                    \
		} else {                                                                  \
			test_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s\n  got:  %s%s%s\n  want: %s%s%s\n", __FILE__, __LINE__, #got, \
				g_ ? "'" : "", g_ ? g_ : "NULL", g_ ? "'" : "", w_ ? "'" : "", w_ ? w_ : "NULL", \
				w_ ? "'" : "");                                           \
		}                                                                         \
	} while (0)

#define CHECK_INT(got, want)                                                              \
	do {                                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);                  \
		if (g_ == w_) {                                                           \
			test_passed++;                                                    \
		} else {                                                                  \
			test_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
		}                                                                         \
	} while (0)

#define TEST_MAIN(...)                                                                   \
	int main(void)                                                                   \
	{                                                                                \
		void (*tests_[])(void) = { __VA_ARGS__ };                                \
		for (size_t i_ = 0; i_ < ARRAY_SIZE(tests_); i_++)                     \
			tests_[i_]();                                                    \
		printf("%d passed, %d failed\n", test_passed, test_failed);               \
		return test_failed ? 1 : (test_passed ? 0 : 1);                          \
	}

#endif
