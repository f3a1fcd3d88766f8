"""The casework rules, one module per job: ``workflow`` (opening and
changing cases, what they hold), ``assessment`` (risk and MARAC),
``routing`` (referral pathways, referrals and sharing), ``alerts``,
``duplicates``, ``retention`` and ``counts``. Views and commands import the
module they need; none of them renders anything. Deliberately empty."""
