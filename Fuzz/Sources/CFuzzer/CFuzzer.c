// Only the declaration in include/CFuzzer.h matters; SwiftPM wants a source file per C target.
#include "CFuzzer.h"
