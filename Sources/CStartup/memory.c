// The driver's process lives for one action. Memory that glibc hands back to the
// kernel between the pages of a listing only returns as fresh page faults for the next
// page, so large blocks come from the heap and stay there: one page's reply buffer
// and tape are reused by the next (a 1,000-node status touched about 5 MB more than
// it kept).
#include <malloc.h>

__attribute__((constructor)) static void keepFreedMemory(void) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}
