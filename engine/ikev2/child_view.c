/* The CHILD SA as the host sees it with IKE_EV_CHILD_UP: parameters plus views of its KEYMAT slices. */
#include "ikev2/sa.h"

bool v2_child_view(const v2_ike_sa *sa, const v2_child_sa *c, ike_child_keys *k)
{
	uint8_t proto = v2_child_proto(sa, c);
	const ike_alg *e = proto == IKE_PROTO_AH ? NULL : ike_alg_find(IKE_TT_ENCR, c->algs.encr, c->algs.encr_keylen);
	const ike_alg *a = c->algs.integ ? ike_alg_find(IKE_TT_INTEG, c->algs.integ, 0) : NULL;
	if (!sa->conn || c->cfg >= sa->conn->n_children || !c->keymat || (proto != IKE_PROTO_AH && !e) ||
	    (c->algs.integ && !a) || (proto == IKE_PROTO_AH && !a))
		return false;
	size_t ek = e ? e->key_bytes : 0, ak = a ? a->key_bytes : 0;
	if (c->keymat_len != 2 * (ek + ak))
		return false; /* KEYMAT is ei | ai | er | ar (RFC 7296 2.17); anything else is not ours to show */
	const ike_child_cfg *cc = &sa->conn->children[c->cfg];
	/* c->ts holds the exchange initiator's selectors first: ours when we initiated it. */
	const ike_ts *ti = c->ts, *tr = c->ts ? c->ts + c->n_ts_i : NULL;
	*k = (ike_child_keys){
		.protocol = proto,
		.mode = cc->mode,
		.initiator = c->exch_initiator,
		.esn = c->algs.esn == IKE_ESN_YES,
		.nat = v2_natt_active(sa),
		.spi_in = c->spi_in,
		.spi_out = c->spi_out,
		.encr = c->algs.encr,
		.encr_keylen = c->algs.encr_keylen,
		.integ = c->algs.integ,
		.ei = ek ? c->keymat : NULL,
		.ai = ak ? c->keymat + ek : NULL,
		.er = ek ? c->keymat + ek + ak : NULL,
		.ar = ak ? c->keymat + 2 * ek + ak : NULL,
		.e_len = ek,
		.a_len = ak,
		.ts_local = c->exch_initiator ? ti : tr,
		.ts_remote = c->exch_initiator ? tr : ti,
		.n_ts_local = c->exch_initiator ? c->n_ts_i : c->n_ts_r,
		.n_ts_remote = c->exch_initiator ? c->n_ts_r : c->n_ts_i,
		.child = c->cfg,
		.cfg = cc,
		.rekey_of = c->rekey_of,
		.pfs = c->pfs,
	};
	return true;
}
