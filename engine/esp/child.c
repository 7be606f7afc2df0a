/* CHILD SA (as the engine reports it) to ESP SA parameters and SPD policies: the host's glue, in one place. */
#include <stdio.h>
#include <string.h>

#include "config/proposal.h"
#include "esp/child.h"

_Static_assert(IKE_REPLAY_WINDOW_MAX == ESP_REPLAY_WINDOW_MAX, "ike.h's replay window limit is engine/esp's");

static int refuse(char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return -1;
}

int esp_params_from_child(const ike_child_keys *k, uint8_t dir, esp_sa_params *p, char *why, size_t cap)
{
	if (!k || !p || dir > ESP_DIR_IN)
		return refuse(why, cap, "no CHILD SA, no parameters, or a bad direction");
	if (k->protocol != IKE_PROTO_ESP && k->protocol != IKE_PROTO_AH)
		return refuse(why, cap, "protocol: neither ESP nor AH");
	memset(p, 0, sizeof(*p));
	/* The exchange's initiator sends with ei/ai (RFC 7296 2.17): ours when we initiated it. */
	int ours_i = k->initiator == (dir == ESP_DIR_OUT);
	p->spi = dir == ESP_DIR_OUT ? k->spi_out : k->spi_in;
	p->dir = dir;
	p->mode = k->mode == IKE_MODE_TRANSPORT ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL;
	p->esn = k->esn;
	p->integ_id = k->integ;
	p->integ_key = k->a_len ? (ours_i ? k->ai : k->ar) : NULL;
	p->integ_key_len = k->a_len;
	if (k->protocol == IKE_PROTO_ESP) {
		p->encr_id = k->encr;
		p->encr_keylen = k->encr_keylen;
		p->encr_key = ours_i ? k->ei : k->er;
		p->encr_key_len = k->e_len;
	}
	uint16_t w = k->cfg ? k->cfg->replay_window : 0; /* the child's setting: 0 = default, IKE_REPLAY_OFF = none */
	p->replay_window = dir != ESP_DIR_IN ? 0 : w == IKE_REPLAY_OFF ? 0 : w ? w : ESP_REPLAY_WINDOW_DEFAULT;
	return 0;
}

int esp_spd_add_child(esp_spd *s, const ike_child_keys *k, uint64_t id, esp_sa *out, esp_sa *in)
{
	if (!s || !k || (k->n_ts_local && !k->ts_local) || (k->n_ts_remote && !k->ts_remote))
		return -1;
	int n = 0;
	for (size_t l = 0; l < k->n_ts_local; l++)
		for (size_t r = 0; r < k->n_ts_remote; r++) {
			if (k->ts_local[l].family != k->ts_remote[r].family)
				continue; /* an IPv4 selector never pairs with an IPv6 one */
			for (uint8_t dir = ESP_DIR_OUT; dir <= ESP_DIR_IN; dir++) {
				esp_policy p = { .id = id, .dir = dir, .action = ESP_ACT_PROTECT, .local = k->ts_local[l],
						 .remote = k->ts_remote[r], .sa = dir == ESP_DIR_OUT ? out : in };
				if (esp_spd_add(s, &p))
					return -1;
				n++;
			}
		}
	return n;
}
