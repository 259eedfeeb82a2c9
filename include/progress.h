/*
 * progress: progress bars in log lines. A program that draws a bar (tqdm,
 * Keras) writes a carriage return before each new state, so a line holds
 * many states, of which a terminal shows the last; and the collector cuts
 * a long run of states into many events, each a near copy of the one
 * before. progress_collapse() finds the state a line of bar states shows,
 * progress_parse() tells a bar's state from other text and names the bar,
 * so that an output can keep only a bar's latest state.
 *
 * Ownership: nothing is allocated; results point into the caller's text.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>

/* One state of a progress bar. */
struct progress_bar {
	const char *key; /* what names the bar: the text before its count */
	size_t key_len;
	int done; /* the bar is full (100%, or its count reached the total) */
};

/*
 * When every part of a line between carriage returns (empty parts aside)
 * is a state of one bar, return its last state, with pb filled. Otherwise
 * NULL: a line that uses CR another way is shown whole, so that nothing it
 * holds is hidden ("safe\rrm -rf ~" would show only its second part).
 */
const char *progress_collapse(
    const char *s, size_t len, size_t *out_len, struct progress_bar *pb);

/*
 * Nonzero when s is one state of a progress bar, with pb filled: a tqdm bar
 * ("desc: 45%|####      | 45/100 [00:01<00:01, 30.2it/s]") or a Keras bar
 * ("45/100 [=====>....] - ETA: 3s - loss: 0.25").
 */
int progress_parse(const char *s, size_t len, struct progress_bar *pb);
/* The same for a line known to hold no '|': only a Keras bar can be one. */
int progress_parse_unpiped(const char *s, size_t len, struct progress_bar *pb);

/* Nonzero when a and b are states of the same bar. */
int progress_same(const struct progress_bar *a, const struct progress_bar *b);

#endif
