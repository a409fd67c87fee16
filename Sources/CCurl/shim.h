// libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic (and
// type-checking macros under clang), so Swift cannot call them: one typed inline
// wrapper per argument kind stands in for them.
#ifndef TMCLOUD_CCURL_SHIM_H
#define TMCLOUD_CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*tmc_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode tmc_curl_set_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_set_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_set_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_set_callback(CURL *h, CURLoption o, tmc_curl_data_cb v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_set_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode tmc_curl_get_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode tmc_curl_get_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode tmc_curl_get_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode tmc_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

#endif
