/* Output files that appear whole or not at all: written under a temp name, renamed into place on commit. */
#ifndef IKE_HOST_AFILE_H
#define IKE_HOST_AFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct ike_host_afile ike_host_afile;

/*
 * Opens path for writing through a temp file beside it; a device or FIFO is written in place.
 * `what` names the file in errors ("trace", "pcap"). NULL with one line in err on failure.
 */
ike_host_afile *ike_host_afile_open(const char *path, const char *what, char *err, size_t errlen);
/* The stream to write to; owned by the afile. */
FILE *ike_host_afile_stream(ike_host_afile *a);
/* Flushes and frees; commit=1 renames the temp file onto path, 0 removes it. 0, or -1 on write error. */
int ike_host_afile_close(ike_host_afile *a, int commit);

#endif
