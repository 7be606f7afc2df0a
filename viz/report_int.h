/* The HTML report's parts (viz/report*.c only). */
#ifndef VIZ_REPORT_INT_H
#define VIZ_REPORT_INT_H

#include "viz_int.h"

int rep_str_is(const char *a, const char *b);
/* The run's IKE messages (ike.tx, ike.retransmit, ike.dup) decoded, as <script type="application/json"
 * id="steps">; how many. Each carries "ev", the event index the ladder's arrow names in data-ev. */
size_t rep_steps_json(const viz_trace *t, viz_buf *b);
/* The step-through controls, the details panel, their style and script (report_ui.c). */
void rep_stepper(viz_buf *b, size_t nsteps);
extern const char REP_STEP_CSS[];
extern const char REP_STEP_JS[];

#endif
