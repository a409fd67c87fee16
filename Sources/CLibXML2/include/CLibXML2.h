// libxml2 for Swift, linked in statically.
//
// Debian's shared libxml2 pulls in ICU and libstdc++ (some 40 MB of libraries and
// 1.5-3 ms of loading on every run), though tmcloud only ever reads UTF-8 replies.
// The static archive is linked instead, with the few ICU converter entry points it
// names answered by stubs that report "no such converter" (icu-stubs.c): libxml2 then
// handles UTF-8, UTF-16, Latin-1 and ASCII itself and everything else through iconv.
// The wrappers below keep the Swift side to one small, checked surface.
#ifndef TMCLOUD_CLIBXML2_H
#define TMCLOUD_CLIBXML2_H

#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its ICU headers clash with the copy Foundation
// carries in any module that sees both. tmcloud never touches the ICU-only fields.
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

xmlDocPtr tmc_xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding, int options);
void tmc_xmlFreeDoc(xmlDocPtr doc);
xmlNodePtr tmc_xmlDocGetRootElement(xmlDocPtr doc);
xmlChar *tmc_xmlNodeGetContent(xmlNodePtr node);
/// The last parse error's message (and its line in *line), or NULL.
const char *tmc_xml_last_error(int *line);
void tmc_xml_reset_last_error(void);
/// Frees memory that libxml2 allocated.
void tmc_xml_free(void *p);

#endif
