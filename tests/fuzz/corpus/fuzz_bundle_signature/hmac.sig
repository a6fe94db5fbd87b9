{
  "format": 1,
  "algorithm": "hmac-sha256",
  "digest": "cea72eb553c2bee031eb7b95bd24d463234072d037c4938d76c7b237e10d6b01",
  "signature": "e7a33e574d12668284f8947ee6fe25aaa844da9ec925e93cf3f5c9af19e83785"
}
