// The ICU converter entry points that Debian's static libxml2 names, answered
// without ICU (see CLibXML2.h). libxml2 asks ICU only for an encoding that neither it
// nor iconv knows; the answer "no such converter" makes that document's parse fail
// with libxml2's own "unsupported encoding" error. The header gives the names their
// ICU version suffix, so these match whichever ICU the archive was built against.
#include <unicode/ucnv.h>

UConverter *ucnv_open(const char *name, UErrorCode *error) {
    (void)name;
    if (error) *error = U_FILE_ACCESS_ERROR;
    return NULL;
}

void ucnv_close(UConverter *converter) { (void)converter; }

void ucnv_setToUCallBack(UConverter *converter, UConverterToUCallback action, const void *context,
                         UConverterToUCallback *oldAction, const void **oldContext, UErrorCode *error) {
    (void)converter, (void)action, (void)context, (void)oldAction, (void)oldContext;
    if (error) *error = U_UNSUPPORTED_ERROR;
}

void ucnv_setFromUCallBack(UConverter *converter, UConverterFromUCallback action, const void *context,
                           UConverterFromUCallback *oldAction, const void **oldContext, UErrorCode *error) {
    (void)converter, (void)action, (void)context, (void)oldAction, (void)oldContext;
    if (error) *error = U_UNSUPPORTED_ERROR;
}

void ucnv_convertEx(UConverter *targetCnv, UConverter *sourceCnv, char **target, const char *targetLimit,
                    const char **source, const char *sourceLimit, UChar *pivotStart, UChar **pivotSource,
                    UChar **pivotTarget, const UChar *pivotLimit, UBool reset, UBool flush, UErrorCode *error) {
    (void)targetCnv, (void)sourceCnv, (void)target, (void)targetLimit, (void)source, (void)sourceLimit;
    (void)pivotStart, (void)pivotSource, (void)pivotTarget, (void)pivotLimit, (void)reset, (void)flush;
    if (error) *error = U_UNSUPPORTED_ERROR;
}

void UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *args, const char *codeUnits,
                             int32_t length, UConverterCallbackReason reason, UErrorCode *error) {
    (void)context, (void)args, (void)codeUnits, (void)length, (void)reason, (void)error;
}

void UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *args, const UChar *codeUnits,
                               int32_t length, UChar32 codePoint, UConverterCallbackReason reason,
                               UErrorCode *error) {
    (void)context, (void)args, (void)codeUnits, (void)length, (void)codePoint, (void)reason, (void)error;
}
