/* A fake of the socket calls for the fuzzers: no real socket, nothing blocks. */
#ifndef SOCKSTEP_FAKE_SYS_H
#define SOCKSTEP_FAKE_SYS_H

#include <stdint.h>
#include <stddef.h>

#include "sys.h"

extern const struct sys_ops fake_sys;

void fake_sys_reset(void);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
