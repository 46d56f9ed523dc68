// SMART App Launch 2 (EHR launch and standalone launch) as a public client with PKCE (fhirclient).
// Read-only scopes, each resource type the timeline and the service's patient-view prefetch read;
// SMART v2 (`.rs`) where the server advertises it, else the v1 equivalent (`.read`).
'use strict';

const RESOURCE_TYPES = ['Patient', 'Condition', 'MedicationRequest', 'Observation', 'AllergyIntolerance',
  'Immunization', 'Procedure', 'DiagnosticReport', 'ServiceRequest'];

function scopes(v2, ehrLaunch) {
  const read = RESOURCE_TYPES.map((type) => `patient/${type}.${v2 ? 'rs' : 'read'}`);
  return ['openid', 'fhirUser', ehrLaunch ? 'launch' : 'launch/patient', ...read].join(' ');
}

async function smartV2(iss) {
  try {
    const response = await fetch(`${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`,
      { headers: { Accept: 'application/json' } });
    const configuration = response.ok ? await response.json() : {};
    return (configuration.capabilities || []).includes('permission-v2');
  } catch (error) {
    return false;
  }
}

async function launch() {
  const params = new URLSearchParams(window.location.search);
  const status = document.getElementById('status');
  const config = await (await fetch('timeline.json')).json();
  const iss = params.get('iss');
  if (!iss && !params.get('fhirServiceUrl')) {
    status.textContent = 'Open this app from the EHR (EHR launch), or add ?iss=<FHIR base URL> (standalone launch).';
    status.classList.add('error');
    return;
  }
  const v2 = iss ? await smartV2(iss) : true;
  await FHIR.oauth2.authorize({
    clientId: config.client_id,
    scope: scopes(v2, Boolean(params.get('launch'))),
    redirectUri: './',
    pkceMode: 'required',
  });
}

launch().catch((error) => {
  const status = document.getElementById('status');
  status.textContent = `Launch failed: ${error.message}`;
  status.classList.add('error');
});
