# tests/interop/gen.sh: the case list, certificates and swanctl.conf generation (sourced by run.sh).

# Peer under test (ikesim, or a second charon in self-test mode) uses this port on its per-case address.
IX_PEER_PORT=4520
IX_PEER_PORT_NATT=4521
IX_PSK="interop shared secret 0123456789"
IX_WRONG_PSK="not the secret charon has"

IX_IKE_PROPS="aes128-sha256-modp2048 aes256gcm16-prfsha384-ecp384 aes128gcm16-prfsha256-x25519 chacha20poly1305-prfsha256-x25519"
IX_ESP_PROPS="aes128gcm16 aes256-sha256"
IX_AUTHS="psk rsa ecdsa"
# RSASSA-PSS rows (RSA-2048 certificates, both ends sign with PSS): one per IKE x ESP proposal, after the rest.
IX_PSS_AUTH=pss

# Prints the cases, one a line: NAME KIND IKE ESP AUTH. KIND ok, or the negative case it is:
# badpsk (the peer's PSK differs), noprop (charon only has another IKE proposal), otherca
# (the peer's certificate and trust anchor come from a second CA), nopss (charon demands RSASSA-PSS,
# the peer signs PKCS#1 v1.5).
ix_cases() {
	local ike esp auth n=0
	for ike in $IX_IKE_PROPS; do
		for esp in $IX_ESP_PROPS; do
			for auth in $IX_AUTHS; do
				n=$((n + 1))
				echo "c$(printf %02d $n)-$auth-${ike%%-*}-${ike##*-}-$esp ok $ike $esp $auth"
			done
		done
	done
	for ike in $IX_IKE_PROPS; do
		for esp in $IX_ESP_PROPS; do
			n=$((n + 1))
			echo "c$(printf %02d $n)-$IX_PSS_AUTH-${ike%%-*}-${ike##*-}-$esp ok $ike $esp $IX_PSS_AUTH"
		done
	done
	echo "neg-badpsk badpsk aes128gcm16-prfsha256-x25519 aes128gcm16 psk"
	echo "neg-noprop noprop chacha20poly1305-prfsha256-x25519 aes128gcm16 psk"
	echo "neg-otherca otherca aes128gcm16-prfsha256-x25519 aes128gcm16 rsa"
	echo "neg-nopss nopss aes128gcm16-prfsha256-x25519 aes128gcm16 pss"
}

# The peer's address for case number N and role (i: peer initiates, r: charon initiates).
# A distinct remote address per connection lets charon pick the right config at IKE_SA_INIT.
ix_peer_addr() { if [ "$2" = i ]; then echo "127.0.1.$1"; else echo "127.0.2.$1"; fi; }

# Makes certificates in DIR/{rsa,ecdsa,other}: ca.pem, charon.test.{pem,key}, ikesim.test.{pem,key}.
# Uses `ikesim certs` when the binary has it, else the openssl CLI.
ix_make_certs() {
	local dir=$1 bin=$2
	mkdir -p "$dir/rsa" "$dir/ecdsa" "$dir/other"
	if "$bin" certs --help >/dev/null 2>&1; then
		{ "$bin" certs --out "$dir/rsa" --rsa 2048 charon.test ikesim.test &&
			"$bin" certs --out "$dir/ecdsa" --ecdsa P-256 charon.test ikesim.test &&
			"$bin" certs --out "$dir/other" --rsa 2048 charon.test ikesim.test; } >"$dir/certs.log" 2>&1 || return 1
		IX_CERTS_BY="ikesim certs"
	else
		ix_openssl_certs "$dir/rsa" rsa && ix_openssl_certs "$dir/ecdsa" ecdsa &&
			ix_openssl_certs "$dir/other" rsa || return 1
		IX_CERTS_BY="openssl (ikesim certs not available)"
	fi
}

# One CA and two end-entity certificates with the openssl CLI (fallback): DIR KIND(rsa|ecdsa).
ix_openssl_certs() {
	local dir=$1 kind=$2 name keyopt
	mkdir -p "$dir"
	if [ "$kind" = rsa ]; then keyopt="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"; else keyopt="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"; fi
	openssl genpkey $keyopt -out "$dir/ca.key" 2>/dev/null &&
		openssl req -x509 -new -key "$dir/ca.key" -subj "/O=ikesim interop/CN=$(basename "$dir") CA" -days 2 \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			-out "$dir/ca.pem" 2>/dev/null || return 1
	for name in charon.test ikesim.test; do
		openssl genpkey $keyopt -out "$dir/$name.key" 2>/dev/null &&
			openssl req -new -key "$dir/$name.key" -subj "/O=ikesim interop/CN=$name" -out "$dir/$name.csr" 2>/dev/null &&
			openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
				-extfile <(printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$name") \
				-out "$dir/$name.pem" 2>/dev/null || return 1
	done
}

# The certificate set a case uses: rsa, ecdsa, or (for the peer in otherca) other. PSS rows use the RSA set.
ix_certset() { case "$1" in ecdsa) echo ecdsa ;; *) echo rsa ;; esac; }

# The hash charon signs PSS rows with: by the IKE PRF, so SHA-256, -384 and -512 all get exercised
# (libreswan signs with SHA2-512 by default; the ChaCha20 rows stand in for it).
ix_pss_hash() {
	case $1 in *prfsha384*) echo sha384 ;; chacha20poly1305-*) echo sha512 ;; *) echo sha256 ;; esac
}

# swanctl's auth value for one end: psk; pubkey; or, for PSS rows, an IKE-only signature constraint
# (ike: leaves the certificate chain alone, which is signed with PKCS#1 v1.5). charon signs with the row's
# hash (local) and accepts only a PSS SHA-256 signature from the peer (remote: what ikesim picks); the
# self-test's stand-in mirrors that. A remote constraint also limits the hashes charon announces.
ix_auth_value() {
	local auth=$1 side=$2 ike=$3 me=$4 hash
	case $auth in
	psk) echo psk ;;
	pss)
		if { [ "$side" = local ] && [ "$me" = charon ]; } || { [ "$side" = remote ] && [ "$me" != charon ]; }; then
			hash=$(ix_pss_hash "$ike")
		else
			hash=sha256
		fi
		echo "ike:rsa/pss-$hash"
		;;
	*) echo pubkey ;;
	esac
}

# Emits one swanctl connection and its secret for one side. IX_CONN_IKE_OPTS / IX_CONN_CHILD_OPTS, when
# set, replace the connection's and the child's lifetime and DPD lines (the lifecycle rows, life.sh);
# IX_CONN_PEER_TS the peer's traffic selector in charon's connection; IX_CONN_VERSION=1 / IX_CONN_AGGRESSIVE=yes
# make it IKEv1 / Aggressive Mode (v1.sh); IX_CONN_MOBIKE=yes turns MOBIKE on (default no).
# ix_conn NAME ME(charon|ikesim) LOCAL_ADDR REMOTE_ADDR REMOTE_PORT IKE ESP AUTH CERTSET PSK [CACERT]
# ESP "ah:LIST" makes the child an AH one (ah_proposals = LIST; the AH rows, ah.sh).
# CACERT pins the trust anchor for the remote's certificate (the self-test peer trusts all three CAs).
ix_conn() {
	local name=$1 me=$2 laddr=$3 raddr=$4 rport=$5 ike=$6 esp=$7 auth=$8 set=$9 psk=${10} ca=${11:-}
	local other lts rts lid rid
	# IX_CONN_PEER_TS replaces the peer's selector (the ping rows' inner addresses, ping.sh).
	if [ "$me" = charon ]; then other=ikesim lts=$IX_TS_CHARON rts=${IX_CONN_PEER_TS:-$IX_TS_IKESIM}; else other=charon lts=$IX_TS_IKESIM rts=$IX_TS_CHARON; fi
	if [ "$auth" = psk ]; then
		# Per-case PSK identities: charon looks secrets up by ID, so each case needs its own pair.
		lid="$me.$name.test" rid="$other.$name.test"
	else
		lid="$me.test" rid="$other.test"
	fi
	# Repeated top-level sections merge in strongSwan's settings parser: one block per connection is fine.
	cat <<EOF
connections { $name {
	version = ${IX_CONN_VERSION:-2}
	aggressive = ${IX_CONN_AGGRESSIVE:-no}
	local_addrs = $laddr
	remote_addrs = $raddr
	remote_port = $rport
	proposals = $ike
	mobike = ${IX_CONN_MOBIKE:-no}
${IX_CONN_IKE_OPTS:-	dpd_delay = 0
	rekey_time = 0}
	local {
		auth = $(ix_auth_value "$auth" local "$ike" "$me")
		id = $lid
$([ "$auth" = psk ] || printf '\t\tcerts = %s-%s.pem\n' "$set" "$me")
	}
	remote {
		auth = $(ix_auth_value "$auth" remote "$ike" "$me")
		id = $rid
$([ "$auth" = psk ] || [ -z "$ca" ] || printf '\t\tcacerts = %s\n' "$ca")
	}
	children {
		$name {
			local_ts = $lts
			remote_ts = $rts
$(case $esp in ah:*) printf '\t\t\tah_proposals = %s' "${esp#ah:}" ;; *) printf '\t\t\tesp_proposals = %s' "$esp" ;; esac)
${IX_CONN_CHILD_OPTS:-			rekey_time = 0}
			start_action = none
		}
	}
} }
EOF
	[ "$auth" = psk ] && printf 'secrets { ike-%s {\n\tsecret = "%s"\n\tid-a = %s\n\tid-b = %s\n} }\n' "$name" "$psk" "$lid" "$rid"
	return 0
}
