#ifndef BLAMBDA_CORE_LAZY_H
#define BLAMBDA_CORE_LAZY_H

#include <stddef.h>

#include "core/error.h"

/*
 * Shared libraries loaded on first use rather than at start. Debian's libcurl
 * and libarchive bring dozens of libraries with them (GnuTLS, Kerberos, LDAP,
 * libxml2 with ICU, ...); linking them would make every `blambda --help` pay
 * several milliseconds to load them. The modules that need one call its
 * loader and pay it then: libcurl (core/curl_lazy.c, for core/http.c),
 * libexpat (aws/xml.c), libarchive (package/archive_lazy.c) and
 * libmicrohttpd (local/mhd_lazy.c, for local/httpd.c).
 */
struct lazy_sym {
	const char *name;
	void **slot; /* where the address goes */
};

/* One library: loaded at most once, its failure remembered and said again to every later caller. */
struct lazy_lib {
	const char *soname, *package; /* "libcurl.so.4", the Debian package that has it */
	int state;                    /* 0 not tried, 1 loaded, -1 failed */
	char why[256];                /* the failure */
};
#define LAZY_LIB(soname, package) { soname, package, 0, "" }
#define LAZY_SYM(api, field, symbol) { symbol, (void **)&(api).field }

/*
 * dlopen the library (the first time) and fill every slot. -1 with err
 * naming the library, and a hint with the Debian package, when it cannot be
 * loaded or lacks a symbol. Call it before threads that use the library
 * start: the first load is not guarded.
 */
int lazy_open(struct lazy_lib *lib, const struct lazy_sym *syms, size_t n, struct error *err);

#endif
