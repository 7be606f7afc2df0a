/* Distinguished names: "C=CH, O=Org, CN=host" <-> DER Name (X.501), for ID_DER_ASN1_DN identities. */
#ifndef IKE_CONFIG_IDENTITY_DN_H
#define IKE_CONFIG_IDENTITY_DN_H

#include <stddef.h>
#include <stdint.h>

/* Encodes text into out (cap bytes); 0 and *len set, or -1 with a reason in err. */
int ike_dn_encode(const char *text, uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen);

/* Writes "C=CH, O=Org, CN=host" for a DER Name; returns the length it needed (snprintf style). */
size_t ike_dn_format(const uint8_t *der, size_t len, char *out, size_t cap);

#endif
