/*
 * clock: the two clocks cwdemux uses. Deadlines (retries, polls, UI ticks)
 * use the monotonic clock, which never jumps; signing and event times use
 * the wall clock.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds of the monotonic clock. */
int64_t clock_mono_ms(void);
/* Milliseconds since the epoch. */
int64_t clock_wall_ms(void);

#endif
