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
#define LAD_PLACE_MAX 2000 /* ESP arrows whose labels look for room; more (--esp all on a long run) go mid-way */
#define LAD_QUIET_NS 60000000000LL /* a gap this long is drawn as an elision: nothing happened */

enum lad_kind { K_TX, K_RETX, K_DUP, K_ESP }; /* K_ESP: one esp.tx, drawn thin (every-packet mode) */
enum lad_fate { F_PENDING, F_RECEIVED, F_LOST, F_REJECTED, F_NATDROP }; /* F_NATDROP: ended by a nat.drop */

typedef struct lad_send {
	size_t ev, orig;    /* the sending event, and the ike.tx it repeats (itself for K_TX) */
	size_t end;         /* event that ends the arrow: ike.rx, link.drop or the receiver's error; LAD_NONE */
	size_t from, to;    /* lanes; to may be LAD_NONE when the receiver is unknown or not drawn */
	enum lad_kind kind;
	enum lad_fate fate;
} lad_send;

typedef struct lad_rect {
	double x0, y0, x1, y1;
} lad_rect;

/* A run of ESP packets on one SA with nothing else drawn between them: one band in the ladder. */
typedef struct lad_run {
	size_t first, last;  /* its first and last esp.tx (the band is drawn on the first one's row) */
	size_t from, to;     /* lanes; to may be LAD_NONE */
	const char *spi;
	double seq_lo, seq_hi, size_lo, size_hi, encap;
	size_t ntx, nrx;
	int open;
} lad_run;

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
	int esp_bands, esp_none; /* ESP drawn as bands of runs / not at all (else one arrow per packet) */
	lad_run *runs;
	size_t nruns, runcap;
	size_t *run_of; /* per event: the run whose band is drawn on its row, LAD_NONE */
	size_t *reps;   /* per ESP mark: how many identical drops its row stands for (0: folded into an earlier row) */
	struct { const char *spi; size_t lane; } spil[LAD_MAX_LANES]; /* receiver lane of each SPI seen */
	size_t nspil;
	unsigned char is_nat[LAD_MAX_LANES]; /* the lane is a NAT box */
	size_t *ka_reps; /* per event: how many keepalives its row stands for (0: folded into an earlier row) */
	/* The one drawn node that never sent or received IKE and the one IP address no node owns (a peer that
	 * was never reached): the address is that node's, so a loss on the way to it points at its lane. */
	size_t orphan_lane;
	const char *orphan_addr;
} lad_ctx;

/* Draws the whole picture once sends are paired and rows assigned (ladder_draw.c). */
void lad_svg(lad_ctx *c, viz_buf *b);

size_t lad_lane_of(const lad_ctx *c, const char *node);
double lad_lane_x(const lad_ctx *c, size_t lane);
int lad_str_eq(const char *a, const char *b);

/* Whether event e is drawn as a box on a lifeline or a band (state, error, rekey, DPD, fragments, faults). */
int lad_is_mark(const lad_ctx *c, const viz_event *e);
void lad_draw_mark(const lad_ctx *c, size_t i, viz_buf *b);
/* Where mark i's box goes; 0 when it draws no box (a link fault's label). */
int lad_mark_rect(const lad_ctx *c, size_t i, lad_rect *r);
/* Shaded bands behind everything: links down between a link-down and its link-up fault. */
void lad_draw_bands(const lad_ctx *c, viz_buf *b, double right, double bottom);
/* " (in N fragments)" when the message sent at event i was split (RFC 7383), else nothing. */
void lad_frag_suffix(const lad_ctx *c, size_t i, viz_buf *b);

/* ESP data plane (ladder_esp.c). Builds runs and folds repeated drops; before sends are matched. 0 or -1. */
int lad_esp_prepare(lad_ctx *c, viz_esp_mode mode);
void lad_esp_free(lad_ctx *c);
/* Whether e is an ESP event (esp.*, flow.*, an ESP link.drop). */
int lad_esp_event(const viz_event *e);
/* The lane that receives an SA's packets: the node that logs esp.rx/esp.drop with its SPI. */
size_t lad_esp_to(lad_ctx *c, const viz_event *tx);
/* Whether event i gets a row of its own as an ESP mark or band; and the mark's text when it is a mark
 * (returns its style: 1 drop, 2 impairment, 3 SA limit or acquire, 4 flow; 0 when it is not a mark). */
int lad_esp_row(const lad_ctx *c, size_t i);
int lad_esp_mark(const lad_ctx *c, size_t i, viz_buf *t, viz_buf *tip);
/* A K_ESP arrow's label ("ESP 0x76423227 seq 5, 120 B"). */
void lad_esp_label(const lad_ctx *c, size_t ev, viz_buf *b);
/* The longest ESP label in characters, for the lane spacing. */
size_t lad_esp_longest(const lad_ctx *c);
void lad_esp_draw_bands(const lad_ctx *c, viz_buf *b);
/* Whether anything of the data plane is drawn (then the legend has a second line). */
int lad_esp_drawn(const lad_ctx *c);
void lad_esp_legend(viz_buf *b, double y);

/* NAT boxes (ladder_nat.c). Finds NAT lanes and folds repeated keepalives; after the lanes are picked. 0 or -1. */
int lad_nat_prepare(lad_ctx *c);
/* Whether e is a NAT mark with a row (nat.map, nat.drop, a keepalive not folded into an earlier row). */
int lad_nat_mark(const lad_ctx *c, const viz_event *e);
/* The pending send a nat.drop (event i) ends, LAD_NONE. */
size_t lad_nat_drop_send(const lad_ctx *c, size_t i);
/* The NAT lanes an arrow from x1 to x2 crosses, in its order; how many (at most cap). */
size_t lad_nat_crossed(const lad_ctx *c, double x1, double x2, size_t *out, size_t cap);
/* What the NATs rewrote on a received IKE message ("from A -> B"); 0 when nothing. */
int lad_nat_rewrite(const lad_ctx *c, const lad_send *s, viz_buf *b);
double lad_nat_cross_y(const lad_ctx *c, const lad_send *s, size_t lane, double dflt);
void lad_nat_draw_crossing(viz_buf *b, double x, double y, double xnext, const char *rewrite);
/* A NAT mark's text and tooltip; 1 a drop, 2 a mapping, 3 a keepalive. */
int lad_nat_text(const lad_ctx *c, size_t i, viz_buf *t, viz_buf *tip);
void lad_nat_draw_keepalive(const lad_ctx *c, size_t i, double y, size_t peer, viz_buf *b);
int lad_nat_drawn(const lad_ctx *c);
void lad_nat_legend(viz_buf *b, double y);
/* The lane that owns an address:port (an ike.tx from it or an ike.rx to it), LAD_NONE. */
size_t lad_lane_of_addr(const lad_ctx *c, const char *addr);

#endif
