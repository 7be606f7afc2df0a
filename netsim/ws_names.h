/* Wireshark's algorithm names for its key tables, letter for letter (checked against tshark 4.0). */
#ifndef SIM_WS_NAMES_H
#define SIM_WS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_WS_INTEG_NONE "NONE [RFC4306]"

/* ikev2_decryption_table's encryption name for ENCR id/key length, or NULL if Wireshark cannot decrypt it. */
const char *sim_ws_ikev2_encr(uint16_t id, uint16_t keylen_bits);
/*
 * ikev2_decryption_table's integrity name for INTEG id (0 = none), or NULL if unknown. *checked is
 * false when Wireshark has no such MAC and the name is its "no checking" stand-in of the same length.
 */
const char *sim_ws_ikev2_integ(uint16_t id, bool *checked);

#endif
