// A listing read from libxml2's SAX2 events, without building a tree (see
// tmc_xml_read_listing in CLibXML2.h and XMLListing.swift).
//
// A 1,000-server OpSource listing is some 40,000 elements, of which the driver reads
// twenty values per server: building and freeing the tree cost more than parsing, and
// reading it cost as much again. Here the wanted names are looked up once in the
// parser's dictionary, where libxml2 keeps every element and attribute name and every
// namespace URI it hands to the callbacks, so matching an element is a pointer compare,
// and only the wanted texts are kept, back to back in one buffer.
#include "CLibXML2.h"

#include <libxml/parserInternals.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Nodes of the path tree: the record (node 0), then one per path step or attribute.
// Element steps are also found by (parent, name) in a small hash table: a server's
// children are tried against every step below the server, 20,000 times a listing.
enum { MAX_NODES = 64, SLOTS = 256 };

typedef struct {
    const xmlChar *name;   // in the parser's dictionary
    int attribute;         // "@name": an attribute of the parent node's element
    int parent, first_child, next_sibling;
    int attributes;        // how many of the children are attributes
    int field;             // the field the node's text or value is, or -1
} node_t;

typedef struct {
    tmc_xml_listing public;
    xmlParserCtxtPtr ctxt;
    const xmlChar *ns;
    const xmlChar **records;
    int record_count;
    node_t nodes[MAX_NODES];
    int node_count;
    int8_t slots[SLOTS];  // element nodes by slot(parent, name), -1 for none

    unsigned char *text;
    size_t text_length, text_capacity;
    int32_t *kinds;
    tmc_xml_span *fields;
    size_t record_capacity;
    tmc_xml_span *root_attributes;
    int root_attribute_capacity;

    int depth;            // of the open element, the root's 0
    int tracked;          // the node of the innermost open element on a path, or -1
    int tracked_depth;
    unsigned char taken[MAX_NODES]; // whether this record's first match of the node was seen
    int collecting;       // the field whose text is being read, or -1
    int failed;           // out of memory
} listing_t;

static int reserve_text(listing_t *l, size_t more) {
    if (l->text_length + more <= l->text_capacity) return 1;
    size_t capacity = l->text_capacity ? l->text_capacity : 4096;
    while (capacity < l->text_length + more) capacity *= 2;
    unsigned char *text = realloc(l->text, capacity);
    if (!text) return l->failed = 1, 0;
    l->text = text;
    l->text_capacity = capacity;
    return 1;
}

static tmc_xml_span append(listing_t *l, const xmlChar *bytes, size_t length) {
    tmc_xml_span span = {-1, 0};
    if (length > INT32_MAX - l->text_length || !reserve_text(l, length)) return l->failed = 1, span;
    memcpy(l->text + l->text_length, bytes, length);
    span.start = (int32_t)l->text_length;
    span.length = (int32_t)length;
    l->text_length += length;
    return span;
}

// An attribute value as the tree holds it. Without entity substitution the parser
// hands over "&amp;" and "&#38;" as "&#38;" (every other reference it decodes, and
// undeclared entities are errors), which the tree then reads as "&".
static tmc_xml_span append_value(listing_t *l, const xmlChar *value, const xmlChar *end) {
    tmc_xml_span span = append(l, value, (size_t)(end - value));
    if (span.start < 0 || !memchr(value, '&', (size_t)(end - value))) return span;
    unsigned char *p = l->text + span.start, *q = p, *stop = p + span.length;
    while (p < stop) {
        if (stop - p >= 5 && memcmp(p, "&#38;", 5) == 0) {
            *q++ = '&';
            p += 5;
        } else {
            *q++ = *p++;
        }
    }
    span.length = (int32_t)(q - (l->text + span.start));
    l->text_length = (size_t)span.start + (size_t)span.length;
    return span;
}

// A name as the tree gives it: "prefix:local" where the prefix is not declared.
static tmc_xml_span append_name(listing_t *l, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
    if (!prefix || uri) return append(l, local, strlen((const char *)local));
    tmc_xml_span span = append(l, prefix, strlen((const char *)prefix));
    tmc_xml_span colon = append(l, (const xmlChar *)":", 1);
    tmc_xml_span rest = append(l, local, strlen((const char *)local));
    if (span.start < 0 || colon.start < 0 || rest.start < 0) return (tmc_xml_span){-1, 0};
    span.length += 1 + rest.length;
    return span;
}

static unsigned slot(int parent, const xmlChar *name) {
    uint64_t key = ((uint64_t)(uintptr_t)name ^ (uint64_t)parent) * 0x9E3779B97F4A7C15u;
    return (unsigned)(key >> 56) % SLOTS;
}

// The element step called `name` below `parent`, or -1.
static int child(const listing_t *l, int parent, const xmlChar *name) {
    for (unsigned i = slot(parent, name);; i = (i + 1) % SLOTS) {
        int c = l->slots[i];
        if (c < 0 || (l->nodes[c].name == name && l->nodes[c].parent == parent)) return c;
    }
}

static int in_namespace(const listing_t *l, const xmlChar *uri) {
    // The URIs are in the dictionary; the compare covers a parser that copies one.
    return uri && (uri == l->ns || strcmp((const char *)uri, (const char *)l->ns) == 0);
}

// The values of the attribute fields under `node`, from an element's attributes
// (localname, prefix, URI, value, end; by local name, as XMLElement.attribute reads).
static void read_attributes(listing_t *l, int node, int count, const xmlChar **attributes) {
    if (l->nodes[node].attributes == 0) return;
    for (int c = l->nodes[node].first_child; c >= 0; c = l->nodes[c].next_sibling) {
        if (!l->nodes[c].attribute) continue;
        for (int i = 0; i < count; i++) {
            const xmlChar **a = attributes + 5 * i;
            // An undeclared prefix makes the tree's name "prefix:local".
            if (a[0] != l->nodes[c].name || (a[1] && !a[2])) continue;
            l->fields[(size_t)(l->public.count - 1) * l->public.field_count + l->nodes[c].field] =
                append_value(l, a[3], a[4]);
            break;
        }
    }
}

static int start_record(listing_t *l, int kind) {
    if ((size_t)l->public.count == l->record_capacity) {
        size_t capacity = l->record_capacity ? l->record_capacity * 2 : 64;
        int32_t *kinds = realloc(l->kinds, capacity * sizeof *kinds);
        if (kinds) l->kinds = kinds;
        tmc_xml_span *fields = realloc(l->fields, capacity * (size_t)l->public.field_count * sizeof *fields);
        if (fields) l->fields = fields;
        if (!kinds || !fields) return l->failed = 1, 0;
        l->record_capacity = capacity;
        l->public.kinds = l->kinds;
        l->public.fields = l->fields;
    }
    l->kinds[l->public.count] = kind;
    tmc_xml_span *fields = l->fields + (size_t)l->public.count * l->public.field_count;
    for (int f = 0; f < l->public.field_count; f++) fields[f] = (tmc_xml_span){-1, 0};
    l->public.count++;
    memset(l->taken, 0, sizeof l->taken);
    return 1;
}

static void start_element(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
                          const xmlChar **namespaces, int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
    listing_t *l = ((xmlParserCtxtPtr)ctx)->_private;
    if (++l->depth > l->public.depth) l->public.depth = l->depth;
    if (l->failed) return;
    if (l->collecting >= 0) {
        // Markup inside a field: the tree would read its text differently.
        l->public.mixed = 1;
        return;
    }
    if (l->depth == 0) {
        l->public.has_root = 1;
        l->public.root_name = append_name(l, local, prefix, uri);
        if (uri) l->public.root_namespace = append(l, uri, strlen((const char *)uri));
        if (nb_attributes > 0) {
            l->root_attributes = malloc(2 * (size_t)nb_attributes * sizeof *l->root_attributes);
            if (!l->root_attributes) return (void)(l->failed = 1);
            for (int i = 0; i < nb_attributes; i++) {
                const xmlChar **a = attributes + 5 * i;
                l->root_attributes[2 * i] = append_name(l, a[0], a[1], a[2]);
                l->root_attributes[2 * i + 1] = append_value(l, a[3], a[4]);
            }
            l->public.root_attributes = l->root_attributes;
            l->public.root_attribute_count = nb_attributes;
        }
        return;
    }
    if (l->depth == 1) {
        if (!in_namespace(l, uri)) return;
        for (int r = 0; r < l->record_count; r++) {
            if (local != l->records[r]) continue;
            if (!start_record(l, r)) return;
            l->tracked = 0;
            l->tracked_depth = 1;
            read_attributes(l, 0, nb_attributes, attributes);
            return;
        }
        return;
    }
    if (l->tracked < 0 || l->depth != l->tracked_depth + 1) return;
    int c = child(l, l->tracked, local);
    // Each step takes its first match only, as XMLElement.child does.
    if (c < 0 || l->taken[c] || !in_namespace(l, uri)) return;
    l->taken[c] = 1;
    l->tracked = c;
    l->tracked_depth = l->depth;
    read_attributes(l, c, nb_attributes, attributes);
    if (l->nodes[c].field >= 0) {
        l->collecting = l->nodes[c].field;
        l->fields[(size_t)(l->public.count - 1) * l->public.field_count + l->collecting] =
            (tmc_xml_span){(int32_t)l->text_length, 0};
    }
}

static int blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void end_element(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
    (void)local, (void)prefix, (void)uri;
    listing_t *l = ((xmlParserCtxtPtr)ctx)->_private;
    if (l->tracked >= 0 && l->depth == l->tracked_depth) {
        if (l->collecting >= 0 && !l->failed) {
            // The text without surrounding blanks, as XMLElement.text reads it.
            tmc_xml_span *span =
                &l->fields[(size_t)(l->public.count - 1) * l->public.field_count + l->collecting];
            size_t start = (size_t)span->start, end = l->text_length;
            while (start < end && blank(l->text[start])) start++;
            while (end > start && blank(l->text[end - 1])) end--;
            *span = (tmc_xml_span){(int32_t)start, (int32_t)(end - start)};
            l->text_length = end;
        }
        l->collecting = -1;
        l->tracked = l->nodes[l->tracked].parent;
        l->tracked_depth--;
    }
    l->depth--;
}

static void characters(void *ctx, const xmlChar *bytes, int length) {
    listing_t *l = ((xmlParserCtxtPtr)ctx)->_private;
    // Only the field's own text, as the tree's text children hold it.
    if (l->collecting >= 0 && l->depth == l->tracked_depth && !l->failed) append(l, bytes, (size_t)length);
}

static void comment(void *ctx, const xmlChar *value) {
    (void)value;
    listing_t *l = ((xmlParserCtxtPtr)ctx)->_private;
    if (l->collecting >= 0) l->public.mixed = 1;
}

static void instruction(void *ctx, const xmlChar *target, const xmlChar *data) {
    (void)data;
    comment(ctx, target);
}

// Adds the path `spec` ("a/b/c" or "a/@b" or "@b") below the record as field `field`.
static int add_path(listing_t *l, const char *spec, int field) {
    int parent = 0;
    const char *p = spec;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t length = slash ? (size_t)(slash - p) : strlen(p);
        int attribute = *p == '@';
        if (attribute) p++, length--;
        if (length == 0 || (attribute && slash)) return 0;
        const xmlChar *name = xmlDictLookup(l->ctxt->dict, (const xmlChar *)p, (int)length);
        if (!name) return 0;
        int found = -1;
        for (int c = l->nodes[parent].first_child; c >= 0; c = l->nodes[c].next_sibling)
            if (l->nodes[c].name == name && l->nodes[c].attribute == attribute) found = c;
        if (found < 0) {
            if (l->node_count == MAX_NODES || l->nodes[parent].field >= 0) return 0;
            found = l->node_count++;
            l->nodes[found] = (node_t){name, attribute, parent, -1, -1, 0, -1};
            if (attribute) {
                l->nodes[parent].attributes++;
            } else {
                unsigned i = slot(parent, name);
                while (l->slots[i] >= 0) i = (i + 1) % SLOTS;
                l->slots[i] = (int8_t)found;
            }
            // Appended, so that children are tried in the order given.
            int *link = &l->nodes[parent].first_child;
            while (*link >= 0) link = &l->nodes[*link].next_sibling;
            *link = found;
        }
        parent = found;
        p += length + (slash ? 1 : 0);
        if (!slash) break;
    }
    // A field ends its path: a step of another path cannot also be read as text.
    if (parent == 0 || l->nodes[parent].field >= 0 || l->nodes[parent].first_child >= 0) return 0;
    l->nodes[parent].field = field;
    return 1;
}

static tmc_xml_listing *finish(listing_t *l) {
    l->public.text = l->text;
    l->public.failed = l->failed;
    return &l->public;
}

// The next of NUL-terminated strings held back to back.
static const char *next_string(const char *s) { return s + strlen(s) + 1; }

tmc_xml_listing *tmc_xml_read_listing(const char *buffer, int size, int options, const char *ns, const char *records,
                                      int record_count, const char *fields, int field_count) {
    tmc_xml_initialise();
    listing_t *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->public.root_name = l->public.root_namespace = (tmc_xml_span){-1, 0};
    l->public.field_count = field_count;
    l->depth = -1;
    l->public.depth = -1;
    l->tracked = l->collecting = -1;
    l->nodes[0] = (node_t){NULL, 0, -1, -1, -1, 0, -1};
    memset(l->slots, -1, sizeof l->slots);
    l->node_count = 1;
    l->ctxt = xmlCreateMemoryParserCtxt(buffer, size);
    l->records = calloc((size_t)(record_count > 0 ? record_count : 1), sizeof *l->records);
    if (!l->ctxt || !l->records) return l->failed = 1, finish(l);
    xmlParserCtxtPtr ctxt = l->ctxt;
    l->ns = xmlDictLookup(ctxt->dict, (const xmlChar *)ns, -1);
    if (!l->ns) return l->failed = 1, finish(l);
    l->record_count = record_count;
    for (int r = 0; r < record_count; r++, records = next_string(records)) {
        l->records[r] = xmlDictLookup(ctxt->dict, (const xmlChar *)records, -1);
        if (!l->records[r]) return l->failed = 1, finish(l);
    }
    for (int f = 0; f < field_count; f++, fields = next_string(fields)) {
        if (!add_path(l, fields, f)) {
            l->public.bad_query = 1;
            return finish(l);
        }
    }

    // The context's own handler, emptied: no tree, no entity declarations kept, no
    // external subset loaded; the parser checks well-formedness as for the tree.
    memset(ctxt->sax, 0, sizeof *ctxt->sax);
    ctxt->sax->initialized = XML_SAX2_MAGIC;
    ctxt->sax->startElementNs = start_element;
    ctxt->sax->endElementNs = end_element;
    ctxt->sax->characters = characters;
    // Blanks are text like any other: with no tree to ask, libxml2 could not tell
    // which it would drop (NOBLANKS), and a field's own blanks are trimmed anyway.
    ctxt->sax->ignorableWhitespace = characters;
    ctxt->sax->comment = comment;
    ctxt->sax->processingInstruction = instruction;
    ctxt->_private = l;
    xmlCtxtUseOptions(ctxt, options & ~XML_PARSE_NOBLANKS);
    if (ctxt->input && !ctxt->input->filename) ctxt->input->filename = (char *)xmlStrdup((const xmlChar *)"reply.xml");
    xmlParseDocument(ctxt);
    l->public.well_formed = ctxt->wellFormed;
    l->failed |= ctxt->errNo == XML_ERR_NO_MEMORY;
    return finish(l);
}

void tmc_xml_listing_free(tmc_xml_listing *listing) {
    if (!listing) return;
    listing_t *l = (listing_t *)listing;
    if (l->ctxt) xmlFreeParserCtxt(l->ctxt);
    free(l->records);
    free(l->text);
    free(l->kinds);
    free(l->fields);
    free(l->root_attributes);
    free(l);
}
