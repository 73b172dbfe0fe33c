// Posts the admin credential once; the server keeps it and answers with an HttpOnly session cookie.
'use strict';
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  const token = document.getElementById('token');
  try {
    const response = await fetch('session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token.value, operator: document.getElementById('operator').value }),
    });
    token.value = '';
    if (response.ok) {
      window.location.replace('./');
      return;
    }
    const problem = await response.json().catch(() => ({}));
    error.textContent = problem.detail || ('Log-in refused (HTTP ' + response.status + ')');
  } catch (e) {
    error.textContent = 'Sluice cannot be reached: ' + e.message;
  }
});
