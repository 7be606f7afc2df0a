/* Wireshark's algorithm names for its key tables (ikev2_decryption_table, esp_sa), letter for letter (tshark 4.0). */
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

/* esp_sa's encryption name for ENCR id (any AES key length), or NULL if Wireshark 4.0 has none (ChaCha20). */
const char *sim_ws_esp_encr(uint16_t id);
/*
 * esp_sa's authentication name for INTEG id (0 = none: "NULL", also what AES-GCM requires), or NULL if
 * unknown. *checked as for sim_ws_ikev2_integ: false for the "no checking" stand-in of the same ICV length.
 */
const char *sim_ws_esp_integ(uint16_t id, bool *checked);

#endif
