#ifndef SLUICE_CMAGIC_SHIM_H
#define SLUICE_CMAGIC_SHIM_H
#include <magic.h>
#endif
