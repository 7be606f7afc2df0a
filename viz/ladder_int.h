/* The message ladder's shared state: lanes, sends paired with their ends, rows. Only viz/ladder*.c. */
#ifndef VIZ_LADDER_INT_H
#define VIZ_LADDER_INT_H

#include "viz_int.h"

#define LAD_MAX_LANES 64
#define LAD_NONE ((size_t)-1)
#define LAD_ROW_H 26
#define LAD_GAP_H 30  /* extra room where virtual time jumps */
#define LAD_TOP 70    /* lane name boxes above the first row */
#define LAD_LEFT 90   /* time column, at least: wider for nanosecond times */
#define LAD_CHAR_W 6.7 /* monospace 11px advance, for sizing */
#define LAD_GAP_NS 500000000LL
#define LAD_QUIET_NS 60000000000LL /* a gap this long is drawn as an elision: nothing happened */

enum lad_kind { K_TX, K_RETX, K_DUP };
enum lad_fate { F_PENDING, F_RECEIVED, F_LOST, F_REJECTED };

typedef struct lad_send {
	size_t ev, orig;    /* the sending event, and the ike.tx it repeats (itself for K_TX) */
	size_t end;         /* event that ends the arrow: ike.rx, link.drop or the receiver's error; LAD_NONE */
	size_t from, to;    /* lanes; to may be LAD_NONE when the receiver is unknown or not drawn */
	enum lad_kind kind;
	enum lad_fate fate;
} lad_send;

typedef struct lad_ctx {
	const viz_trace *t;
	const char *lane[LAD_MAX_LANES];
	size_t nlanes;
	lad_send *s;
	size_t ns;
	size_t *row;   /* row of each event, LAD_NONE when not drawn */
	double *y;     /* y of each row */
	double *ys;    /* y a send starting at this event starts from (below its row for ike.dup) */
	size_t *start_of, *end_of; /* per event: the send it starts / ends, LAD_NONE */
	size_t pend0;  /* sends before this one are all resolved */
	size_t nrows;
	double spacing;
	int64_t from, to; /* the window in ns; to 0: to the end */
	double left, width; /* right edge of the time column; picture width */
} lad_ctx;

/* Draws the whole picture once sends are paired and rows assigned (ladder_draw.c). */
void lad_svg(lad_ctx *c, viz_buf *b);

size_t lad_lane_of(const lad_ctx *c, const char *node);
double lad_lane_x(const lad_ctx *c, size_t lane);
int lad_str_eq(const char *a, const char *b);

/* Whether event e is drawn as a box on a lifeline or a band (state, error, rekey, DPD, fragments, faults). */
int lad_is_mark(const lad_ctx *c, const viz_event *e);
void lad_draw_mark(const lad_ctx *c, size_t i, viz_buf *b);
/* Shaded bands behind everything: links down between a link-down and its link-up fault. */
void lad_draw_bands(const lad_ctx *c, viz_buf *b, double right, double bottom);
/* " (in N fragments)" when the message sent at event i was split (RFC 7383), else nothing. */
void lad_frag_suffix(const lad_ctx *c, size_t i, viz_buf *b);

#endif
