// libFuzzer's driver, for a program that has its own main: SwiftPM renames an executable's
// entry point and points main at it when linking, so libFuzzer's own main never runs.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
