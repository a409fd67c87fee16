// libxml2 for Swift.
#ifndef TMCLOUD_CLIBXML2_SHIM_H
#define TMCLOUD_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its ICU headers clash with the copy Foundation
// carries in any module that sees both. tmcloud never touches the ICU-only fields.
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

// xmlFree is a mutable global in 2.9 and a macro or thread-local later: wrap it.
static inline void tmc_xml_free(void *p) { xmlFree(p); }

// libxml2 prints parse errors to stderr by default, and its generic error handler
// is variadic: install a silent one from C.
static void tmc_xml_silent(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void tmc_xml_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, tmc_xml_silent);
}

#endif
