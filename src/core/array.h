#ifndef BLAMBDA_CORE_ARRAY_H
#define BLAMBDA_CORE_ARRAY_H

/*
 * The number of elements of an array. Given a pointer instead, it does not
 * compile (with GCC and Clang): sizeof a pointer is not a count.
 */
#if defined(__GNUC__)
#define ARRAY_SIZE__CHECK(a) (sizeof(struct { int not_an_array : 1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])); }) * 0)
#else
#define ARRAY_SIZE__CHECK(a) 0
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]) + ARRAY_SIZE__CHECK(a))

#endif
