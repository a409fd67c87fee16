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

#include <stdint.h>

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
/// Sets libxml2 up once per process (errors kept from stderr).
void tmc_xml_initialise(void);

/// Bytes of tmc_xml_listing.text: from start, length bytes; start is -1 when absent.
typedef struct {
    int32_t start;
    int32_t length;
} tmc_xml_span;

/// A listing read without a tree: the root's name, namespace and attributes, and for
/// each record (a child of the root named one of the records asked for, in the
/// namespace asked for) the fields asked for, each a path below the record:
/// "name" (a child's text, trimmed), "status/step/number" (the first match at each
/// step) or "@id" (an attribute's value, by local name).
typedef struct {
    const unsigned char *text;
    tmc_xml_span root_name;
    tmc_xml_span root_namespace;
    /// Name, value, name, value…
    const tmc_xml_span *root_attributes;
    int root_attribute_count;
    /// Records read, and for each the index of its name among the records asked for.
    int count;
    const int32_t *kinds;
    /// count × field_count spans, record by record.
    const tmc_xml_span *fields;
    int field_count;
    int well_formed;
    int has_root;
    /// The deepest element's depth below the root.
    int depth;
    /// A field held markup (an element, a comment, a processing instruction): the
    /// tree drops some of the blanks around such markup, so read the tree instead.
    int mixed;
    /// A path asked for is not one this reader can follow.
    int bad_query;
    /// Out of memory.
    int failed;
} tmc_xml_listing;

/// Parses `buffer` with `options` and collects a listing; `records` and `fields` hold
/// `record_count` and `field_count` NUL-terminated strings back to back. Never NULL
/// but out of memory; free with tmc_xml_listing_free.
tmc_xml_listing *tmc_xml_read_listing(const char *buffer, int size, int options, const char *ns, const char *records,
                                      int record_count, const char *fields, int field_count);
void tmc_xml_listing_free(tmc_xml_listing *listing);

#endif
