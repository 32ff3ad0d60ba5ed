#ifndef KAN_SWEEP_CZLIB_SHIM_H
#define KAN_SWEEP_CZLIB_SHIM_H
#include <zlib.h>
#endif
