# Windows build of CarVrooom Desktop: venv from the lock (hash-checked, pinned PyInstaller), notices, the one-folder
# bundle (carvrooom.exe windowed + carvrooom-cli.exe console), a smoke test of the frozen CLI and GUI, then the
# per-user installer with Inno Setup 6 (build\dist\carvrooom-desktop-VERSION-setup.exe).
# Run from anywhere on a Windows 10/11 x64 machine with Python 3.11 (py launcher) and Inno Setup 6:
#   powershell -ExecutionPolicy Bypass -File build\windows\build_windows.ps1 [-SkipInstaller] [-SkipSmoke]
param([switch]$SkipInstaller, [switch]$SkipSmoke, [int]$BudgetMB = 300)
$ErrorActionPreference = "Stop"
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Set-Location $root

function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$venv = Join-Path $root ".venv"
$py = Join-Path $venv "Scripts\python.exe"
if (-not (Test-Path $py)) { Invoke-Checked "py" @("-3.11", "-m", "venv", $venv) }
Invoke-Checked $py @("-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps", "-r", "requirements.lock")
Invoke-Checked $py @("-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
Invoke-Checked $py @("-m", "pip", "check")
$version = (& $py -c "import carvrooom_desktop; print(carvrooom_desktop.__version__)").Trim()

$started = Get-Date
Invoke-Checked $py @("build\make_notices.py")
Invoke-Checked $py @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", "build\dist", "--workpath", "build\work", "build\carvrooom.spec")
Write-Host ("build: {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
& $py build\size_report.py build\dist\carvrooom --budget-mb $BudgetMB --top 15
if ($LASTEXITCODE -ne 0) { Write-Warning "size: over the $BudgetMB MB target" }

$app = Join-Path $root "build\dist\carvrooom"
foreach ($banned in @("elm", "pytest", "_pytest", "hypothesis", "vcr", "mypy", "aiosmtpd", "PyInstaller", "onnxruntime")) {
    if (Test-Path (Join-Path $app "_internal\$banned")) { throw "smoke: $banned must not be in the bundle" }
}
foreach ($f in @("LICENSE", "LGPL-3.0.txt", "THIRD_PARTY_NOTICES.txt", "README.md")) {
    if (-not (Test-Path (Join-Path $app "_internal\licences\$f"))) { throw "smoke: licences\$f missing" }
}

if (-not $SkipSmoke) {
    $env:CARVROOOM_HOME = Join-Path ([System.IO.Path]::GetTempPath()) ("carvrooom-smoke-" + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $env:CARVROOOM_HOME | Out-Null
    $cli = Join-Path $app "carvrooom-cli.exe"
    Push-Location $env:CARVROOOM_HOME
    try {
        Invoke-Checked $cli @("--version")
        Invoke-Checked $cli @("scan", "--sim", "--fault", "vacuum_leak")
        Invoke-Checked $cli @("scan", "--sim", "--all-modules")
        Invoke-Checked $cli @("record", "--sim", "--seconds", "3")
        $recording = ((& $cli sessions list --json) | ConvertFrom-Json)[0].id
        Invoke-Checked $cli @("export", $recording, "--format", "asc", "-o", "drive.asc")
        Invoke-Checked $cli @("import", "drive.asc", "--dbc", (Join-Path $root "resources\dbc\carvrooom_sim.dbc"))
        Invoke-Checked $cli @("report", "owner", $recording, "-o", "report.pdf")
        Invoke-Checked $cli @("diagnose", "--sim", "--fault", "vacuum_leak", "--offline")
        # keyring: the Credential Manager backend must be the one in use (secrets never in a file)
        Invoke-Checked $py @("-c", "import keyring; b = keyring.get_keyring(); print(b); assert 'WinVault' in type(b).__name__")
        # the GUI: every workspace rendered offscreen, the dropped/opened files imported (build\frozen_selfcheck.py)
        $env:QT_QPA_PLATFORM = "offscreen"
        $env:CARVROOOM_SELFCHECK_OPEN = (Join-Path $env:CARVROOOM_HOME "drive.asc")
        $env:CARVROOOM_FROZEN_SELFCHECK = "1"
        Invoke-Checked $cli @()
        Remove-Item Env:CARVROOOM_FROZEN_SELFCHECK, Env:CARVROOOM_SELFCHECK_OPEN
        $env:CARVROOOM_EXIT_AFTER_SHOWN = "1"
        $t = Measure-Command { Invoke-Checked (Join-Path $app "carvrooom.exe") @() }
        Write-Host ("cold start (windowed exe, to the shown window and exit): {0:N2} s" -f $t.TotalSeconds)
        Remove-Item Env:CARVROOOM_EXIT_AFTER_SHOWN, Env:QT_QPA_PLATFORM
    } finally {
        Pop-Location
        Remove-Item -Recurse -Force $env:CARVROOOM_HOME -ErrorAction SilentlyContinue
        Remove-Item Env:CARVROOOM_HOME
    }
    Write-Host "smoke: all passed"
}

if (-not $SkipInstaller) {
    $iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe", "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") |
        Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $iscc) { throw "Inno Setup 6 not found (winget install JRSoftware.InnoSetup)" }
    Invoke-Checked $iscc @("/Qp", "/DAppVersion=$version", "build\windows\carvrooom.iss")
    Write-Host "installer: build\dist\carvrooom-desktop-$version-setup.exe"
}
