// The command line for the Swift runtime, taken from the arguments glibc hands to
// every ELF constructor.
//
// The statically linked Swift runtime finds argv with a constructor of its own that
// reads and parses /proc/self/maps. By then some thirty shared libraries are mapped,
// so the kernel formats hundreds of lines on every start of a process that lives for
// a few milliseconds. Defining the runtime's two entry points here keeps the linker
// from pulling that object out of libswiftCore.a at all.

static char **savedArgv;
static int savedArgc;
static char *emptyArgv[] = {0};

__attribute__((constructor)) static void captureArguments(int argc, char **argv, char **envp) {
    (void)envp;
    savedArgc = argc;
    savedArgv = argv;
}

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    if (savedArgv == 0) {
        *outArgLen = 0;
        return emptyArgv;
    }
    *outArgLen = savedArgc;
    return savedArgv;
}

void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    savedArgv = argv;
    savedArgc = argc;
}

