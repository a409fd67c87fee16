#include "CLibXML2.h"

#include <pthread.h>

static pthread_once_t initialised = PTHREAD_ONCE_INIT;

// libxml2 prints parse errors to stderr by default; tmcloud reports them itself.
static void silent(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static void initialise(void) {
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, silent);
}

void tmc_xml_initialise(void) { pthread_once(&initialised, initialise); }

xmlDocPtr tmc_xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding, int options) {
    tmc_xml_initialise();
    return xmlReadMemory(buffer, size, url, encoding, options);
}

void tmc_xmlFreeDoc(xmlDocPtr doc) { xmlFreeDoc(doc); }

xmlNodePtr tmc_xmlDocGetRootElement(xmlDocPtr doc) { return xmlDocGetRootElement(doc); }

xmlChar *tmc_xmlNodeGetContent(xmlNodePtr node) { return xmlNodeGetContent(node); }

const char *tmc_xml_last_error(int *line) {
    const xmlError *e = xmlGetLastError();
    if (!e) return NULL;
    *line = e->line;
    return e->message;
}

void tmc_xml_reset_last_error(void) { xmlResetLastError(); }

void tmc_xml_free(void *p) { xmlFree(p); }
