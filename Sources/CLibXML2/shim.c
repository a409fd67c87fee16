#include "CLibXML2.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

static void *library;
static pthread_once_t opened = PTHREAD_ONCE_INIT;

// libxml2 prints parse errors to stderr by default; tmcloud reports them itself.
static void silent(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static void open_library(void) {
    library = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    void (*init)(void) = (void (*)(void))dlsym(library, "xmlInitParser");
    if (init) init();
    void (*set_handler)(void *, xmlGenericErrorFunc) =
        (void (*)(void *, xmlGenericErrorFunc))dlsym(library, "xmlSetGenericErrorFunc");
    if (set_handler) set_handler(NULL, silent);
}

static void *symbol(const char *name) {
    pthread_once(&opened, open_library);
    return library ? dlsym(library, name) : NULL;
}

int tmc_xml_available(void) { return symbol("xmlReadMemory") != NULL; }

xmlDocPtr tmc_xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding, int options) {
    xmlDocPtr (*f)(const char *, int, const char *, const char *, int) =
        (xmlDocPtr (*)(const char *, int, const char *, const char *, int))symbol("xmlReadMemory");
    return f ? f(buffer, size, url, encoding, options) : NULL;
}

void tmc_xmlFreeDoc(xmlDocPtr doc) {
    void (*f)(xmlDocPtr) = (void (*)(xmlDocPtr))symbol("xmlFreeDoc");
    if (f) f(doc);
}

xmlNodePtr tmc_xmlDocGetRootElement(xmlDocPtr doc) {
    xmlNodePtr (*f)(xmlDocPtr) = (xmlNodePtr (*)(xmlDocPtr))symbol("xmlDocGetRootElement");
    return f ? f(doc) : NULL;
}

xmlChar *tmc_xmlNodeGetContent(xmlNodePtr node) {
    xmlChar *(*f)(xmlNodePtr) = (xmlChar * (*)(xmlNodePtr)) symbol("xmlNodeGetContent");
    return f ? f(node) : NULL;
}

const char *tmc_xml_last_error(int *line) {
    // 2.12 made the result const; the layout of the fields read here is unchanged.
    const xmlError *(*f)(void) = (const xmlError *(*)(void))symbol("xmlGetLastError");
    const xmlError *e = f ? f() : NULL;
    if (!e) return NULL;
    *line = e->line;
    return e->message;
}

void tmc_xml_reset_last_error(void) {
    void (*f)(void) = (void (*)(void))symbol("xmlResetLastError");
    if (f) f();
}

// xmlFree is a variable holding the deallocator in 2.9 (a macro later): read it
// through its symbol, falling back to free(), libxml2's default.
void tmc_xml_free(void *p) {
    xmlFreeFunc *deallocator = (xmlFreeFunc *)symbol("xmlFree");
    if (deallocator && *deallocator)
        (*deallocator)(p);
    else
        free(p);
}
