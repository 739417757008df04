#include "tests/support/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace jwo::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

core::Status OpenSslError(const std::string& what) {
  return {core::StatusCode::kInternal, "OpenSSL failed to " + what};
}

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

struct CertSpec {
  const char* common_name;
  bool is_ca;
  const char* subject_alt_name;  // nullptr: none
  const char* extended_key_usage;
  long serial;
};

// Issues a certificate for `key`. A null issuer makes it self-signed.
core::Result<Cert> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  if (!cert) return OpenSslError("allocate a certificate");
  X509* c = cert.get();
  X509_NAME* name = X509_get_subject_name(c);
  auto text = [](const char* s) { return reinterpret_cast<const unsigned char*>(s); };
  bool ok =
      X509_set_version(c, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(c), spec.serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(c), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(c), 30L * 24 * 3600) != nullptr &&
      X509_set_pubkey(c, key) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text("jwo-edge tests"), -1, -1, 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text(spec.common_name), -1, -1, 0) == 1;
  X509* signer = issuer != nullptr ? issuer : c;
  ok = ok && X509_set_issuer_name(c, X509_get_subject_name(signer)) == 1;
  ok = ok && AddExtension(c, signer, NID_basic_constraints,
                          spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  ok = ok && AddExtension(c, signer, NID_key_usage,
                          spec.is_ca ? "critical,keyCertSign,cRLSign"
                                     : "critical,digitalSignature,keyAgreement");
  ok = ok && AddExtension(c, signer, NID_subject_key_identifier, "hash");
  ok = ok && AddExtension(c, signer, NID_authority_key_identifier, "keyid:always");
  if (spec.extended_key_usage != nullptr) {
    ok = ok && AddExtension(c, signer, NID_ext_key_usage, spec.extended_key_usage);
  }
  if (spec.subject_alt_name != nullptr) {
    ok = ok && AddExtension(c, signer, NID_subject_alt_name, spec.subject_alt_name);
  }
  ok = ok && X509_sign(c, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0;
  if (!ok) return OpenSslError(std::string("issue certificate ") + spec.common_name);
  return cert;
}

core::Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return core::IoError("cannot write " + path);
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) return core::IoError("cannot write " + path);
  return core::Status::Ok();
}

struct Issued {
  Key key;
  Cert cert;
};

core::Result<Issued> MakeIdentity(const CertSpec& spec, const Issued* issuer) {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generate a P-256 key");
  auto cert = Issue(spec, key.get(), issuer ? issuer->cert.get() : nullptr,
                    issuer ? issuer->key.get() : nullptr);
  if (!cert.ok()) return cert.status();
  return Issued{std::move(key), std::move(cert).value()};
}

core::Status Save(const Issued& id, const std::string& cert_path, const std::string& key_path) {
  if (auto s = WritePem(cert_path, id.cert.get(), nullptr); !s.ok()) return s;
  if (key_path.empty()) return core::Status::Ok();
  return WritePem(key_path, nullptr, id.key.get());
}

}  // namespace

core::Result<TestPki> MakeTestPki(const std::string& dir) {
  TestPki pki;
  pki.ca_cert = dir + "/ca.crt";
  pki.server_cert = dir + "/server.crt";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.crt";
  pki.client_key = dir + "/client.key";
  pki.untrusted_ca_cert = dir + "/untrusted-ca.crt";
  pki.untrusted_client_cert = dir + "/untrusted-client.crt";
  pki.untrusted_client_key = dir + "/untrusted-client.key";

  auto ca = MakeIdentity({"jwo-test-ca", true, nullptr, nullptr, 1}, nullptr);
  if (!ca.ok()) return ca.status();
  auto server = MakeIdentity({"127.0.0.1", false, "IP:127.0.0.1,DNS:localhost", "serverAuth", 2},
                             &ca.value());
  if (!server.ok()) return server.status();
  auto client = MakeIdentity({"jwo-test-client", false, nullptr, "clientAuth", 3}, &ca.value());
  if (!client.ok()) return client.status();
  auto rogue_ca = MakeIdentity({"jwo-untrusted-ca", true, nullptr, nullptr, 4}, nullptr);
  if (!rogue_ca.ok()) return rogue_ca.status();
  auto rogue =
      MakeIdentity({"jwo-test-client", false, nullptr, "clientAuth", 5}, &rogue_ca.value());
  if (!rogue.ok()) return rogue.status();

  for (auto status :
       {Save(ca.value(), pki.ca_cert, ""), Save(server.value(), pki.server_cert, pki.server_key),
        Save(client.value(), pki.client_cert, pki.client_key),
        Save(rogue_ca.value(), pki.untrusted_ca_cert, ""),
        Save(rogue.value(), pki.untrusted_client_cert, pki.untrusted_client_key)}) {
    if (!status.ok()) return status;
  }
  return pki;
}

}  // namespace jwo::testing
