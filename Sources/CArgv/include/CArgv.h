// Intentionally empty: this target exists for the definitions in argv.c, which the
// linker takes in place of the Swift runtime's own (see there).
