#ifndef BLAMBDA_CORE_LAZY_H
#define BLAMBDA_CORE_LAZY_H

#include <stddef.h>

/*
 * Shared libraries loaded on first use rather than at start. Debian's libcurl
 * and libarchive bring dozens of libraries with them (GnuTLS, Kerberos, LDAP,
 * libxml2 with ICU, ...); linking them would make every `blambda --help` pay
 * several milliseconds to load them. The modules that need one (core/http.c,
 * package/babashka.c) call its loader and pay it then.
 */
struct lazy_sym {
	const char *name;
	void **slot; /* where the address goes */
};

/*
 * dlopen `soname` and fill every slot. -1 with an error naming the library
 * and a hint with the Debian package when it cannot be loaded or lacks a
 * symbol.
 */
int lazy_load(const char *soname, const char *package, const struct lazy_sym *syms, size_t n);

#endif
