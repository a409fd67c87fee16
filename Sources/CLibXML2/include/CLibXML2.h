// libxml2 for Swift, loaded on first use.
//
// Only the OpSource provider reads XML, yet linking libxml2 (and the ICU libraries it
// pulls in) costs every run of the driver 1.5-3 ms of loading. So the library is
// opened with dlopen the first time XML is parsed (see shim.c), and each function is
// called through the pointer dlsym gives. The headers still provide types and
// constants; the JSON-only providers then work on a machine without libxml2 at all.
#ifndef TMCLOUD_CLIBXML2_H
#define TMCLOUD_CLIBXML2_H

#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its ICU headers clash with the copy Foundation
// carries in any module that sees both. tmcloud never touches the ICU-only fields.
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/// Whether libxml2 could be loaded (1) or not (0).
int tmc_xml_available(void);
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
