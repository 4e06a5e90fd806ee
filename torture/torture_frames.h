/*
 * Wire frames several tests and the benchmarks share.  Plain data, no
 * dependencies, so a benchmark links it without cmocka.
 */
#ifndef MAILSLOT_TORTURE_FRAMES_H
#define MAILSLOT_TORTURE_FRAMES_H

#include <stdint.h>

/* vectors/01: DIRECT_GROUP HostAnnouncement, MYHOST<00> -> WORKGROUP<1d>,
 * 192.168.1.10:138, DGM_ID 0x8001 */
extern const uint8_t torture_host_announcement[201];

#endif
