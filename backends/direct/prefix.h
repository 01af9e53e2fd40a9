/* SPDX-License-Identifier: MIT */
/* Output of several processes on one terminal: whole lines, each behind its program's name. */
#ifndef DIRECT_PREFIX_H
#define DIRECT_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

/* Longest partial line kept back; longer ones are cut. */
#define DIRECT_PREFIX_LINE 1024

struct direct_prefix {
	char *label;   /* "name | ", coloured when asked, owned */
	size_t label_len;
	char *partial; /* the unfinished line, allocated on first use */
	size_t len;
};

/*
 * Build the label for name, padded to width, in colour number colour
 * (cycling through six) when colour >= 0.  -ENOMEM on failure.
 */
int direct_prefix_init(struct direct_prefix *px, const char *name, int width, int colour);
/* Replace the label (a new width), keeping any unfinished line. */
int direct_prefix_relabel(struct direct_prefix *px, const char *name, int width, int colour);
/* Write each complete line of data to fd behind the label; keep the rest for later. */
void direct_prefix_feed(struct direct_prefix *px, int fd, const char *data, size_t len);
/* Write what is left of an unfinished line. */
void direct_prefix_flush(struct direct_prefix *px, int fd);
void direct_prefix_release(struct direct_prefix *px);

/* Colour on fd: a terminal, and NO_COLOR unset. */
bool direct_prefix_want_colour(int fd);

#endif
