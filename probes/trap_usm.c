/*
 * trap_usm: the v3 users of the trap receiver in net-snmp's USM (see
 * trap.h): each trap_user is made for Pharos' own engine ID (informs)
 * and, with engine=, for that sender's engine ID (traps), keys localized
 * from the passphrases (RFC 3414 2.6). The USM user list is net-snmp's
 * process-wide state: users stay until the process ends; a user already
 * there for an engine (same name) is kept as it is.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trap_int.h"

static int
trap_usm_add(const struct trap_user *u, const u_char *eng, size_t englen,
    char *err, size_t errlen)
{
	struct usmUser *x;
	const oid *ap, *pp = NULL;
	size_t aplen = SNMP_PROTO_LEN, pplen = 0;
	u_char ku[USM_LENGTH_KU_HASHBLOCK], kul[SNMP_MAXBUF_SMALL];
	size_t kulen, kullen;
	int plen;

	if (usm_get_user(eng, englen, u->name) != NULL)
		return 0; /* the same user twice for one engine: first wins */
	ap = snmp_auth_proto(u->auth);
	if (u->priv != 0) {
		pp = snmp_priv_proto(u->priv);
		pplen = SNMP_PROTO_LEN;
	}
	if ((x = usm_create_user()) == NULL)
		goto nomem;
	x->name = strdup(u->name);
	x->secName = strdup(u->name);
	x->engineID = netsnmp_memdup(eng, englen);
	x->engineIDLen = englen;
	/* usm_create_user set net-snmp's default protocols: replaced */
	free(x->authProtocol);
	x->authProtocol = snmp_duplicate_objid(ap, aplen);
	x->authProtocolLen = aplen;
	if (x->name == NULL || x->secName == NULL || x->engineID == NULL ||
	    x->authProtocol == NULL)
		goto nomem_user;
	kulen = sizeof(ku);
	kullen = sizeof(kul);
	if (generate_Ku(ap, (u_int)aplen, (const u_char *)u->auth_pass,
	    strlen(u->auth_pass), ku, &kulen) != SNMPERR_SUCCESS ||
	    generate_kul(ap, (u_int)aplen, eng, englen, ku, kulen, kul,
	    &kullen) != SNMPERR_SUCCESS) {
		snprintf(err, errlen, "v3 user %s: cannot make its "
		    "authentication key (passphrase shorter than 8?)", u->name);
		usm_free_user(x);
		return -EINVAL;
	}
	x->authKey = netsnmp_memdup(kul, kullen);
	x->authKeyLen = kullen;
	if (pp != NULL) {
		kulen = sizeof(ku);
		kullen = sizeof(kul);
		if (generate_Ku(ap, (u_int)aplen, (const u_char *)u->priv_pass,
		    strlen(u->priv_pass), ku, &kulen) != SNMPERR_SUCCESS ||
		    generate_kul(ap, (u_int)aplen, eng, englen, ku, kulen, kul,
		    &kullen) != SNMPERR_SUCCESS) {
			snprintf(err, errlen, "v3 user %s: cannot make its "
			    "privacy key", u->name);
			usm_free_user(x);
			return -EINVAL;
		}
		plen = sc_get_properlength(pp, (u_int)pplen);
		if (plen <= 0 || (size_t)plen > kullen)
			plen = 16; /* DES and AES-128 */
		free(x->privProtocol);
		x->privProtocol = snmp_duplicate_objid(pp, pplen);
		x->privProtocolLen = pplen;
		x->privKey = netsnmp_memdup(kul, (size_t)plen);
		x->privKeyLen = (size_t)plen;
		if (x->privProtocol == NULL || x->privKey == NULL)
			goto nomem_user;
	}
	if (x->authKey == NULL)
		goto nomem_user;
	x->userStatus = RS_ACTIVE;
	x->userStorageType = ST_READONLY;
	usm_add_user(x);
	return 0;
nomem_user:
	usm_free_user(x);
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int
trap_users_setup(const struct trap_user *users, size_t nusers, char *err,
    size_t errlen)
{
	u_char local[TRAP_ENGINE_MAX];
	size_t llen = snmpv3_get_engineID(local, sizeof(local));

	for (size_t i = 0; i < nusers; i++) {
		const struct trap_user *u = &users[i];
		u_char eng[TRAP_ENGINE_MAX];
		size_t elen = 0;
		int rc;

		if (llen > 0 && (rc = trap_usm_add(u, local, llen, err,
		    errlen)) != 0)
			return rc;
		if (u->engine_id[0] == '\0')
			continue;
		if (snmp_hex_decode(u->engine_id, eng, sizeof(eng), &elen) !=
		    0 || elen < 5) {
			snprintf(err, errlen, "v3 user %s: bad engine ID %s",
			    u->name, u->engine_id);
			return -EINVAL;
		}
		if ((rc = trap_usm_add(u, eng, elen, err, errlen)) != 0)
			return rc;
	}
	return 0;
}
