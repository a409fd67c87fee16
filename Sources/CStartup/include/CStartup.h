// Intentionally empty: this target exists for the definitions and constructors in
// its C files, which shape how the driver's process starts (see argv.c, memory.c).
