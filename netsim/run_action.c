/* Scenario actions: rekeys, deletes and initiations asked of a node's engine at given virtual times. */
#include "run_int.h"

int sim_ra_setup(runner *r)
{
	(void)r;
	return 0;
}

void sim_ra_free(runner *r) { (void)r; }
